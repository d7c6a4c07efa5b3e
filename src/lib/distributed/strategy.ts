/**
 * The sharding strategies the ZeRO/FSDP lab runs, and what each keeps whole or sharded.
 *
 *   dp             plain data parallel = FSDP NO_SHARD = ZeRO stage 0: everything replicated, gradients all-reduced
 *   zero1          ZeRO stage 1: optimizer states sharded; gradients reduce-scattered, parameters all-gathered after the update
 *   zero2          ZeRO stage 2: + gradients sharded (each block's gradient reduce-scattered as soon as it exists, then dropped)
 *   shard-grad-op  FSDP SHARD_GRAD_OP: stage 2's states, parameters sharded between steps, gathered once per step
 *                  before the forward and kept until the backward ends
 *   zero3          ZeRO stage 3 = FSDP FULL_SHARD: + parameters sharded, each block gathered before its forward and
 *                  again before its backward, and freed after each: 3(N−1)/N·Ψ values sent per step, 1.5x data parallel
 */
import type { ZeroStage } from './memory-model';

export type Strategy = 'dp' | 'zero1' | 'zero2' | 'shard-grad-op' | 'zero3';

export const STRATEGIES: readonly Strategy[] = ['dp', 'zero1', 'zero2', 'shard-grad-op', 'zero3'];

/** The ZeRO stage whose model-state memory (between steps) each strategy has. */
export const STRATEGY_STAGE: Record<Strategy, ZeroStage> = { dp: 0, zero1: 1, zero2: 2, 'shard-grad-op': 3, zero3: 3 };

/** PyTorch FSDP's name for the strategy, where it has one. */
export const FSDP_NAME: Record<Strategy, string | undefined> = { dp: 'NO_SHARD', zero1: undefined, zero2: undefined, 'shard-grad-op': 'SHARD_GRAD_OP', zero3: 'FULL_SHARD' };

export const shardsOptimizer = (s: Strategy): boolean => s !== 'dp';
export const shardsGrads = (s: Strategy): boolean => s === 'zero2' || s === 'shard-grad-op' || s === 'zero3';
export const shardsParams = (s: Strategy): boolean => s === 'shard-grad-op' || s === 'zero3';

/**
 * Values each rank sends per step for Ψ parameters, in units of Ψ·(N−1)/N: data parallel and ZeRO-1/2
 * and SHARD_GRAD_OP move 2 (all-reduce, or reduce-scatter + all-gather), ZeRO-3 moves 3 (two
 * all-gathers of the parameters and a reduce-scatter of the gradients).
 */
export const COMM_FACTOR: Record<Strategy, number> = { dp: 2, zero1: 2, zero2: 2, 'shard-grad-op': 2, zero3: 3 };
