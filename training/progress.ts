/** Where progress goes: a stream with an optional TTY flag (stderr in the CLI). */
export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * A training progress bar: on a terminal one line redrawn per step (epoch, bar, loss, last
 * validation accuracy, ETA of the epoch and of the run at most); elsewhere one line per epoch.
 */
export class ProgressBar {
  private lastVal = Number.NaN;
  private epochStarted = 0;
  private runStarted: number;
  private lossSum = 0;

  constructor(
    private readonly out: ProgressOutput,
    private readonly now: () => number = () => performance.now(),
    /** What the validation figure is (`val_acc` for a classifier, `val_map` for ranking). */
    private readonly metric = 'val_acc',
  ) {
    this.runStarted = now();
  }

  /** Called after each step. */
  step(epoch: number, maxEpochs: number, step: number, steps: number, loss: number): void {
    if (step === 1) {
      this.epochStarted = this.now();
      this.lossSum = 0;
    }
    this.lossSum += loss;
    if (!this.out.isTTY) return;
    const elapsed = (this.now() - this.epochStarted) / 1000;
    const perStep = elapsed / step;
    const etaEpoch = perStep * (steps - step);
    const etaRun = etaEpoch + perStep * steps * (maxEpochs - epoch);
    const width = 24;
    const filled = Math.round((step / steps) * width);
    const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
    const val = Number.isNaN(this.lastVal) ? '  -   ' : `${(this.lastVal * 100).toFixed(2)}%`;
    this.out.write(
      `\repoch ${epoch}/${maxEpochs} [${bar}] ${step}/${steps} loss ${(this.lossSum / step).toFixed(4)} ${this.metric} ${val} ETA ${duration(etaEpoch)} (run ≤ ${duration(etaRun)})  `,
    );
  }

  /** Called after each epoch's validation. */
  epoch(epoch: number, maxEpochs: number, loss: number, valAccuracy: number, seconds: number): void {
    this.lastVal = valAccuracy;
    const total = (this.now() - this.runStarted) / 1000;
    this.out.write(
      `${this.out.isTTY ? '\r' : ''}epoch ${epoch}/${maxEpochs} loss ${loss.toFixed(4)} ${this.metric} ${(valAccuracy * 100).toFixed(2)}% ${seconds.toFixed(1)}s (total ${duration(total)})${' '.repeat(30)}\n`,
    );
  }
}
