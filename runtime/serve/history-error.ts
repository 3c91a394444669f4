/**
 * HistoryError is re-exported here because the LoadedModel contract names this path:
 * model code may import it from either file, it is one class.
 */
export { HistoryError } from './loaded-model.ts';
