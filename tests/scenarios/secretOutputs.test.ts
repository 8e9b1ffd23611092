// Reading the kind stack's secret outputs from the user's own shell, after `npm run up`: the
// commands the docs give, run as typed (the user's npm, the stand-in pulumi of
// tests/kit/cliStandIns.ts, which opens a passphrase stack's secrets only with the passphrase).
import { PASSWORD_COMMAND } from "../../components/firstLook";
import { StandInMachine } from "../kit/cliStandIns";
import { rendered } from "../support/renderedStacks";

describe("the kind stack's secret outputs, from a shell without PULUMI_CONFIG_PASSPHRASE", () => {
  let machine: StandInMachine;
  let outputs: Record<string, unknown>;

  beforeAll(async () => {
    const kind = await rendered("kind");
    outputs = kind.outputs;
    machine = new StandInMachine({ realNpm: true });
    machine.program(kind);
    // What `npm run up` leaves behind: a local login and the deployed stack, selected.
    const empty = { PULUMI_CONFIG_PASSPHRASE: "" };
    for (const command of [
      "pulumi login --local",
      "pulumi stack init kind --secrets-provider passphrase",
      "pulumi up --stack kind --yes",
    ]) {
      expect(machine.run(command, empty).status).toBe(0);
    }
  });
  afterAll(() => machine?.remove());

  test("pulumi's own command cannot decrypt the password there", () => {
    const run = machine.run("pulumi stack output grafanaAdminPassword --show-secrets");
    expect(run).toMatchObject({
      status: 255,
      stdout: "",
      stderr:
        'error: constructing secrets manager of type "passphrase": passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables\n',
    });
  });

  test(`${PASSWORD_COMMAND.kind}, as the first look gives it, prints the password`, () => {
    const password = outputs.grafanaAdminPassword as string;
    expect(password.length).toBeGreaterThan(0);
    expect(machine.run(PASSWORD_COMMAND.kind)).toEqual({ status: 0, stdout: `${password}\n`, stderr: "" });
  });

  test("npm run -s output -- <name> prints any output, a secret one hidden unless asked for", () => {
    expect(machine.run("npm run -s output -- firstLook").stdout).toBe(`${outputs.firstLook as string}\n`);
    expect(machine.run("npm run -s output -- grafanaAdminPassword").stdout).toBe("[secret]\n");
    const all = JSON.parse(machine.run("npm run -s output -- --json --show-secrets").stdout) as Record<
      string,
      unknown
    >;
    expect(all.grafanaAdminPassword).toBe(outputs.grafanaAdminPassword);
  });

  test("your own passphrase, when you export one, is the one used (and must fit the stack's salt)", () => {
    const run = machine.run(PASSWORD_COMMAND.kind, { PULUMI_CONFIG_PASSPHRASE: "not the stack's" });
    expect(run.status).toBe(255);
    expect(run.stderr).toBe(
      'error: constructing secrets manager of type "passphrase": incorrect passphrase\n',
    );
  });
});
