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
 * target for each history row, covariates for each history row, known-in-advance
 * covariates for each future step, by name, and optionally the quantile levels
 * to return (default 0.1, 0.5, 0.9). Unknown fields are refused (a misspelt `futureCovariates` must not
 * be silently ignored); the lengths of the history series must agree.
 */
export const forecastRequestSchema = z
  .strictObject({
    timestamps: z.array(z.string().min(10).max(64)).min(1).max(MAX_HISTORY_ROWS),
    target: series,
    covariates: namedSeries.optional(),
    futureCovariates: namedSeries.optional(),
    quantiles: z.array(z.number().gt(0).lt(1)).min(1).max(99).optional(),
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
 * checkCovariates holds a valid request against the model: every column the model
 * reads history of is given for the history rows, every known-in-advance
 * covariate for each of its `horizon` future steps, and nothing else. Throws
 * FST_FLUXORA_INVALID_REQUEST (400) naming the column, by the request's own field
 * names (`fields`, default those of POST /v1/forecast).
 */
export function checkCovariates(
  input: ForecastInput,
  model: LoadedModel,
  fields: { covariates: string; futureCovariates: string } = { covariates: 'covariates', futureCovariates: 'futureCovariates' },
): void {
  const wanted = { covariates: model.covariates, futureCovariates: model.knownCovariates };
  for (const field of ['covariates', 'futureCovariates'] as const) {
    const needed = wanted[field];
    const label = fields[field];
    const takes =
      needed.length > 0
        ? `the model takes ${needed.join(', ')}${field === 'futureCovariates' ? ' (known in advance)' : ''}`
        : field === 'futureCovariates'
          ? 'the model takes no known-in-advance covariate (observed ones need only their history)'
          : 'the model takes none';
    const given = input[field] ?? {};
    for (const name of Object.keys(given)) {
      if (!needed.includes(name)) throw new errors.FST_FLUXORA_INVALID_REQUEST(`${label}: unknown covariate ${JSON.stringify(name)}, ${takes}`);
    }
    for (const name of needed) {
      const values = given[name];
      if (values === undefined) {
        const what = field === 'futureCovariates' ? `its ${model.horizon} future values (it is known in advance)` : 'one value per history row';
        throw new errors.FST_FLUXORA_INVALID_REQUEST(`${label}.${name} is required: ${what}`);
      }
      if (field === 'covariates' && values.length !== input.target.length) {
        throw new errors.FST_FLUXORA_INVALID_REQUEST(`${label}.${name} has ${values.length} values for ${input.target.length} history rows`);
      }
      if (field === 'futureCovariates' && values.length !== model.horizon) {
        throw new errors.FST_FLUXORA_INVALID_REQUEST(`${label}.${name} has ${values.length} values, the model forecasts ${model.horizon} steps`);
      }
    }
  }
}

/** DEFAULT_QUANTILES are the levels a forecast returns when the request names none. */
export const DEFAULT_QUANTILES: readonly number[] = Object.freeze([0.1, 0.5, 0.9]);

/**
 * quantileOffsetsFor resolves requested quantile levels against the model's
 * calibration; an uncalibrated level is a 400 naming it and the levels offered.
 */
export function quantileOffsetsFor(levels: readonly number[], model: LoadedModel): { level: number; offsets: Float32Array }[] {
  return levels.map((level, i) => {
    const offsets = model.quantileOffsets(level);
    if (!offsets) {
      throw new errors.FST_FLUXORA_INVALID_REQUEST(
        `quantiles[${i}]: ${level} is not a calibrated level; the model offers 0.01 to 0.99 in steps of 0.01`,
      );
    }
    return { level, offsets };
  });
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
