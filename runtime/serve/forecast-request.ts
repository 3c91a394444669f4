import { z } from 'zod';
import { errors } from './errors.ts';
import type { ForecastInput, LoadedModel } from './loaded-model.ts';

/** MAX_HISTORY_ROWS bounds every series of a forecast request (the body limit usually bites first). */
export const MAX_HISTORY_ROWS = 100_000;

/** MAX_COVARIATES bounds how many named series `covariates` and `futureCovariates` may hold. */
export const MAX_COVARIATES = 256;

// z.number() refuses NaN and ±Infinity (1e999 parses to Infinity), nulls and strings.
const series = z.array(z.number()).max(MAX_HISTORY_ROWS);
const namedSeries = z
  .record(z.string().min(1).max(128), series)
  .refine((record) => Object.keys(record).length <= MAX_COVARIATES, `at most ${MAX_COVARIATES} covariates`);

/**
 * forecastRequestSchema is the body of POST /v1/forecast: ISO-8601 timestamps and the
 * target for each history row, covariates for each history row and for each future
 * step, by name. Unknown fields are refused (a misspelt `futureCovariates` must not
 * be silently ignored); the lengths of the history series must agree.
 */
export const forecastRequestSchema = z
  .strictObject({
    timestamps: z.array(z.string().min(10).max(64)).min(1).max(MAX_HISTORY_ROWS),
    target: series,
    covariates: namedSeries.optional(),
    futureCovariates: namedSeries.optional(),
  })
  .superRefine((body, ctx) => {
    const rows = body.timestamps.length;
    if (body.target.length !== rows) {
      ctx.addIssue({ code: 'custom', path: ['target'], message: `has ${body.target.length} values for ${rows} timestamps` });
    }
    for (const [name, values] of Object.entries(body.covariates ?? {})) {
      if (values.length !== rows) {
        ctx.addIssue({ code: 'custom', path: ['covariates', name], message: `has ${values.length} values for ${rows} timestamps` });
      }
    }
  });

/**
 * parseForecastRequest validates a POST /v1/forecast body; throws FST_FLUXORA_INVALID_REQUEST
 * (400) naming the first problems.
 */
export function parseForecastRequest(body: unknown): ForecastInput {
  const parsed = forecastRequestSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const shown = issues.slice(0, 3).map((issue) => `${pathText(issue.path)}: ${issue.message}`);
  if (issues.length > shown.length) shown.push(`and ${issues.length - shown.length} more`);
  throw new errors.FST_FLUXORA_INVALID_REQUEST(shown.join('; '));
}

/**
 * checkCovariates holds a valid request against the model: every covariate the model
 * needs is given for the history and for each of its `horizon` future steps, and no
 * other covariate is given. Throws FST_FLUXORA_INVALID_REQUEST (400).
 */
export function checkCovariates(input: ForecastInput, model: LoadedModel): void {
  const needed = new Set(model.covariates);
  const takes = model.covariates.length > 0 ? `the model takes ${model.covariates.join(', ')}` : 'the model takes none';
  for (const field of ['covariates', 'futureCovariates'] as const) {
    const given = input[field] ?? {};
    for (const name of Object.keys(given)) {
      if (!needed.has(name)) throw new errors.FST_FLUXORA_INVALID_REQUEST(`${field}: unknown covariate ${JSON.stringify(name)}, ${takes}`);
    }
    for (const name of model.covariates) {
      const values = given[name];
      if (values === undefined) throw new errors.FST_FLUXORA_INVALID_REQUEST(`${field}.${name} is required`);
      if (field === 'futureCovariates' && values.length !== model.horizon) {
        throw new errors.FST_FLUXORA_INVALID_REQUEST(
          `futureCovariates.${name} has ${values.length} values, the model forecasts ${model.horizon} steps`,
        );
      }
    }
  }
}

function pathText(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return 'body';
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text.length > 96 ? `${text.slice(0, 93)}...` : text;
}
