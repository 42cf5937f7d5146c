/** The streams a command writes to (the CLI passes stdout/stderr; tests pass buffers). */
export interface CliIo {
  out: { write(text: string): unknown };
  err: { write(text: string): unknown; isTTY?: boolean };
}

/** The train and evaluate commands of one kind of net. */
export interface NetCommands {
  usage: { train: string; evaluate: string };
  train(argv: string[], io: CliIo): Promise<number>;
  evaluate(argv: string[], io: CliIo): Promise<number>;
}
