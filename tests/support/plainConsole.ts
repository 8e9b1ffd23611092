// The program's warnings (pulumi.log.warn prints them to the console when no engine listens) go
// to the terminal as they are: jest's own console adds each one's stack and source lines, which
// cost the suite seconds over the many renders of a stack that warns.
import { Console } from "console";

global.console = new Console({ stdout: process.stdout, stderr: process.stderr });
