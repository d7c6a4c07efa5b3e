// Test-only entry: the browser test drives the data worker through window.data (a comlink remote).
import * as Comlink from 'comlink';
import * as arrow from 'apache-arrow';
import type { DuckServiceApi } from '../../../src/lib/data/duck-service';
import DataWorker from '../../../workers/data.ts?worker';

const data = Comlink.wrap<DuckServiceApi>(new DataWorker());
Object.assign(window, { data, Comlink, arrow });
document.getElementById('status')!.textContent = 'ready';
