import { api } from '../../api/client';
import { ApiError, type FieldError } from '../../api/problem';

const seg = encodeURIComponent;

/** A formula to try on a sample record (POST .../formulas/evaluate). */
export interface FormulaTrial {
  expression: string;
  /** How a formula field stores the result; omitted: as the expression returns it. */
  resultType?: string;
  /** The formula field being edited: the expression may not read it. */
  field?: string;
  /** Sample field values, as a client writes them ("12.30" for money). */
  record?: Record<string, unknown>;
  /** An existing record of the form as the sample (read under the designer's rights). */
  recordId?: string;
  /** The definition the other fields come from: the saved draft (default) or the published form. */
  version?: 'draft' | 'published';
}

/** The server's answer: the value (stored form: money in fen) and this sample's failures. */
export interface FormulaTrialResult {
  value: unknown;
  type: string;
  /** The form's fields the expression reads. */
  fields: string[];
  /** Their values in the sample. */
  inputs: Record<string, unknown>;
  errors?: FieldError[];
}

/** Compiles the expression as a formula field of the form and evaluates it on the sample. */
export function evaluateFormula(app: string, form: string, trial: FormulaTrial): Promise<FormulaTrialResult> {
  return api.post<FormulaTrialResult>(`/api/apps/${seg(app)}/forms/${seg(form)}/formulas/evaluate`, trial);
}

/** The messages of a failed trial (a 422 lists one per problem, already in the user's language). */
export function trialProblems(err: unknown): string[] {
  if (err instanceof ApiError) {
    const list = err.fieldErrors.map((e) => e.message);
    return list.length > 0 ? list : [err.message];
  }
  return [err instanceof Error ? err.message : String(err)];
}
