/**
 * NotFoundError says which registry entry was missing: a model, a version of a
 * model, an alias of a model, or a trial of a study. Callers branch on `kind`
 * (or `code === 'FLUXORA_NOT_FOUND'`), e.g. to answer HTTP 404.
 */
export class NotFoundError extends Error {
  /** code is the stable machine-readable code of every NotFoundError. */
  readonly code = 'FLUXORA_NOT_FOUND';
  /** kind is what was missing. */
  readonly kind: 'model' | 'version' | 'alias' | 'trial';
  /** model is the model (or study, for trials) name that was looked up. */
  readonly model: string;
  /** version is the missing version (kind `version`) or trial number (kind `trial`). */
  readonly version?: number;
  /** alias is the missing alias (kind `alias`). */
  readonly alias?: string;

  constructor(kind: 'model' | 'version' | 'alias' | 'trial', model: string, detail: { version?: number; alias?: string } = {}) {
    super(notFoundMessage(kind, model, detail));
    this.name = 'NotFoundError';
    this.kind = kind;
    this.model = model;
    this.version = detail.version;
    this.alias = detail.alias;
  }
}

function notFoundMessage(kind: string, model: string, detail: { version?: number; alias?: string }): string {
  switch (kind) {
    case 'model':
      return `model "${model}" is not registered`;
    case 'version':
      return `model "${model}" has no version ${detail.version}`;
    case 'alias':
      return `model "${model}" has no alias "${detail.alias}"`;
    default:
      return `study "${model}" has no trial ${detail.version}`;
  }
}
