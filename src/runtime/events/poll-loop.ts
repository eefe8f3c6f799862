/**
 * Runs `work` every `intervalMs`, and soon after `nudge()` (within `coalesceMs`, so the commits of
 * a busy moment share one run instead of each paying for its own), never twice at once. When a run
 * says there may be more (it returns true), the next run starts at once instead of after the interval.
 * A run that throws is reported to `onError` and the loop goes on at the normal pace. `stop()`
 * ends the schedule and waits for the run in progress. The timer does not keep the process alive.
 *
 * @example
 * const loop = new PollLoop(250, () => relay.publishBatch(), (e) => log.warn(e));
 * loop.start(); ...; loop.nudge(); ...; await loop.stop();
 */
export class PollLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  private nudged = false;

  constructor(
    private readonly intervalMs: number,
    private readonly work: () => Promise<boolean>,
    private readonly onError: (e: unknown) => void,
    private readonly coalesceMs = 0,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Run as soon as possible (after the current run, if one is in progress). */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else if (!this.nudged) {
      this.nudged = true;
      this.schedule(this.coalesceMs);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), delayMs);
    this.timer.unref();
  }

  private run(): void {
    if (this.running || this.stopped) return;
    this.again = false;
    this.nudged = false;
    this.running = this.work().then((more) => more, (e: unknown) => {
      this.onError(e);
      return false;
    }).then((more) => {
      this.running = undefined;
      if (this.stopped) return;
      if (more) this.schedule(0);
      else if (this.again) {
        this.nudged = true;
        this.schedule(this.coalesceMs);
      } else this.schedule(this.intervalMs);
    });
  }
}
