/**
 * The canary's guardrail: roll back when v2's latency or error rate stays over its limit for a
 * whole `breachMs` window. A single slow moment does not roll back; a sustained one does, exactly
 * when it has lasted breachMs. An observation with fewer than `minRequests` requests is no evidence
 * either way: it neither starts, extends nor resets a breach.
 */
export interface GuardrailConfig {
  /** v2's p99 latency limit, ms. */
  maxP99Ms: number;
  /** v2's error-rate limit, 0–1. */
  maxErrorRate: number;
  /** How long a breach must last before rollback, ms. */
  breachMs: number;
  /** Fewest v2 requests in an observation for it to count. */
  minRequests: number;
}

export interface GuardrailObservation {
  p99Ms: number;
  errorRate: number;
  requests: number;
}

export type GuardrailState = { state: 'ok' } | { state: 'breaching'; since: number; reason: string } | { state: 'rolled-back'; at: number; since: number; reason: string };

export class Guardrail {
  private s: GuardrailState = { state: 'ok' };

  constructor(readonly config: GuardrailConfig) {
    if (!(config.maxP99Ms > 0)) throw new RangeError(`The latency guardrail must be positive; got ${config.maxP99Ms} ms.`);
    if (!(config.maxErrorRate >= 0 && config.maxErrorRate <= 1)) throw new RangeError(`The error-rate guardrail must be in [0, 1]; got ${config.maxErrorRate}.`);
    if (!(config.breachMs >= 0)) throw new RangeError(`The breach window must be ≥ 0 ms; got ${config.breachMs}.`);
  }

  get state(): GuardrailState {
    return this.s;
  }

  /** Why `o` breaches the guardrail, or null if it does not. */
  breach(o: GuardrailObservation): string | null {
    const c = this.config;
    if (o.errorRate > c.maxErrorRate) return `error rate ${(o.errorRate * 100).toFixed(1)}% > ${(c.maxErrorRate * 100).toFixed(1)}%`;
    if (o.p99Ms > c.maxP99Ms) return `p99 ${o.p99Ms.toFixed(1)} ms > ${c.maxP99Ms} ms`;
    return null;
  }

  /** Feed v2's statistics at time `now`; returns the state after it. Once rolled back it stays so. */
  observe(now: number, o: GuardrailObservation): GuardrailState {
    if (this.s.state === 'rolled-back') return this.s;
    if (o.requests < this.config.minRequests) return this.s;
    const why = this.breach(o);
    if (!why) this.s = { state: 'ok' };
    else {
      const since = this.s.state === 'breaching' ? this.s.since : now;
      this.s = now - since >= this.config.breachMs ? { state: 'rolled-back', at: now, since, reason: why } : { state: 'breaching', since, reason: why };
    }
    return this.s;
  }
}
