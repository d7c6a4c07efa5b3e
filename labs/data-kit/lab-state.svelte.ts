/**
 * What the DuckDB-backed data labs (drift, feature store) share in their page state: settings from
 * the link and the form, checked against the lab's field table; the message list; the lab's saved
 * runs; the data client, whose restart notices become messages.
 */
import { decodeParams, encodeParams } from '../../src/lib/core/url-state';
import { checkFields, fieldSpec, type Field } from '../../src/lib/eval/experiments/settings';
import type { LabMeta } from '../types';
import { openData, type DataClient } from './client';
import { DataRuns } from './runs.svelte';
import { withMessage, type Message } from '../../src/app/messages';

/** A data lab's settings: the values of its field table. */
export type Values = Record<string, number | string>;

export type Phase = 'starting' | 'ready' | 'running';
export type { Message };

export interface DataLabConfig<S extends Values> {
  meta: LabMeta;
  defaults: S;
  fields: Field[];
}

export class DataLabState<S extends Values> {
  settings = $state<S>() as S;
  settingsError = $state('');
  phase = $state<Phase>('starting');
  stage = $state('');
  messages = $state<Message[]>([]);
  readonly runs: DataRuns;
  readonly data: DataClient;
  protected readonly fields: Field[];

  constructor(config: DataLabConfig<S>, query: URLSearchParams, private readonly setQuery: (q: URLSearchParams) => void) {
    this.fields = config.fields;
    const { value, warnings } = decodeParams<S>(query, config.defaults, fieldSpec<S>(config.fields), (v) => checkFields(config.fields, v));
    this.settings = value;
    for (const w of warnings) this.note('warn', `Link settings: ${w}`);
    this.runs = new DataRuns(config.meta, (kind, m) => this.note(kind, m));
    this.data = openData();
    this.data.onNotice((n) => this.note('warn', n.message));
  }

  note(kind: Message['kind'], text: string): void {
    this.messages = withMessage(this.messages, kind, text);
  }

  /** Load the lab's saved runs and wait for DuckDB; the lab is ready once both are. */
  async init(): Promise<void> {
    await this.runs.init();
    try {
      await this.data.ready;
      this.phase = 'ready';
    } catch (e) {
      this.note('error', `DuckDB could not start: ${(e as Error).message}`);
    }
  }

  /** A form edit: keep the value, check every field, and write valid settings to the link. */
  update(key: string, value: number | string): void {
    const next = { ...this.settings, [key]: value } as S;
    this.settings = next;
    try {
      checkFields(this.fields, next);
      this.settingsError = '';
      this.setQuery(new URLSearchParams(encodeParams(next, fieldSpec<S>(this.fields))));
    } catch (e) {
      this.settingsError = (e as Error).message;
    }
  }
}
