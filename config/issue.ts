/** A problem at `path`; `insideFile` when the key names a file and the message says what is wrong inside it. */
export type Issue = (path: (string | number)[], message: string, insideFile?: boolean) => void;
