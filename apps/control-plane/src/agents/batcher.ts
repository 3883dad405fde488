/**
 * Coalesces single requests that arrive close together into one batched call: when thousands of
 * agents do the same thing at once (reconnect after an outage, acknowledge a new bundle), one
 * query per few hundred of them instead of one transaction each keeps the database pool free.
 * Each caller still gets its own result or error.
 */
export class Batcher<In, Out> {
  private queue: { input: In; resolve: (value: Out) => void; reject: (error: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    /** Returns one result per input, in order: a value, or an Error for that input alone. */
    private readonly run: (inputs: In[]) => Promise<(Out | Error)[]>,
    private readonly options: { maxSize: number; maxWaitMs: number },
  ) {}

  submit(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (this.queue.length >= this.options.maxSize) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.maxWaitMs);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue.splice(0, this.options.maxSize);
    if (this.queue.length > 0) this.timer = setTimeout(() => this.flush(), this.options.maxWaitMs);
    if (batch.length === 0) return;
    this.run(batch.map((item) => item.input)).then(
      (results) => {
        batch.forEach((item, i) => {
          const result = results[i];
          if (result instanceof Error) item.reject(result);
          else item.resolve(result as Out);
        });
      },
      (error: unknown) => {
        for (const item of batch) item.reject(error);
      },
    );
  }
}
