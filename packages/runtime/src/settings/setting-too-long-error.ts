/** A settings key or value over its length limit; the message is safe to show the model. */
export class SettingTooLongError extends Error {
  override readonly name = "SettingTooLongError";
  constructor(
    readonly part: "key" | "value",
    readonly length: number,
    readonly limit: number,
  ) {
    super(`setting ${part} is ${length} characters long; the limit is ${limit}`);
  }
}
