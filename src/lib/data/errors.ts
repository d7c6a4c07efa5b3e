/** A dataset's bytes or schema are not what the lab expects. The message names what is wrong. */
export class DatasetError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatasetError';
  }
}
