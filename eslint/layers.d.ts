import type { Rule, ESLint } from 'eslint';

export const LAYERS: string[];
export const ALLOWED: string[];
export function folderOf(root: string, file: string): string | null;
export function resolveImport(fromFile: string, spec: string): string | null;
export function violation(from: string | null, to: string | null, layers?: string[], allowed?: string[]): string | null;
export function folderEdges(root: string): Map<string, string[]>;
export function cycles(edgeKeys: Iterable<string>): string[][];
export const rule: Rule.RuleModule;
declare const plugin: ESLint.Plugin;
export default plugin;
