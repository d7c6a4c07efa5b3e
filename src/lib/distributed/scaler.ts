/**
 * Loss scaling for fp16 training (Micikevicius et al. 2018): multiply the loss by S so small
 * gradients land in fp16's range, divide the fp32 gradients by S before the update. 'static' keeps
 * S; 'dynamic' (as torch.cuda.amp.GradScaler) halves S and skips the update whenever a gradient
 * overflowed to Inf/NaN, and doubles it after `growthInterval` clean steps in a row. 'none' is S = 1
 * with no checks: an overflow goes into the weights.
 */
import { ensure, requireFinite, requireInt } from './errors';

export type LossScaling = 'none' | 'static' | 'dynamic';

export interface ScalerOptions {
  mode: LossScaling;
  /** The starting (or static) scale; torch's GradScaler starts at 2¹⁶. */
  initScale?: number;
  /** Clean steps before the dynamic scale doubles (torch: 2000; short runs need fewer). */
  growthInterval?: number;
}

export const SCALER_DEFAULTS = { initScale: 2 ** 16, growthInterval: 200 };

export class LossScaler {
  scale: number;
  private clean = 0;
  readonly mode: LossScaling;
  private readonly growthInterval: number;

  constructor(o: ScalerOptions) {
    ensure(o.mode === 'none' || o.mode === 'static' || o.mode === 'dynamic', `loss scaling must be 'none', 'static' or 'dynamic'; it is ${String(o.mode)}.`);
    this.mode = o.mode;
    this.scale = o.mode === 'none' ? 1 : (o.initScale ?? SCALER_DEFAULTS.initScale);
    requireFinite(this.scale, 'initScale', Number.MIN_VALUE);
    this.growthInterval = o.growthInterval ?? SCALER_DEFAULTS.growthInterval;
    requireInt(this.growthInterval, 'growthInterval', 1);
  }

  /** After a backward pass: whether the update must be skipped, and the scale for the next step. */
  update(overflow: boolean): { skip: boolean } {
    if (this.mode === 'none') return { skip: false };
    if (overflow) {
      if (this.mode === 'dynamic') this.scale /= 2;
      this.clean = 0;
      return { skip: true };
    }
    if (this.mode === 'dynamic' && ++this.clean >= this.growthInterval) {
      this.scale *= 2;
      this.clean = 0;
    }
    return { skip: false };
  }
}

/** True if any value is ±Infinity or NaN. */
export function hasNonFinite(x: ArrayLike<number>): boolean {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return true;
  return false;
}
