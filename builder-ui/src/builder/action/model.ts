import type { LocalizedText } from '../../api/types';

/** The body of an action definition (engine/meta/schemas/action.json). */
export interface ActionSpec {
  title: LocalizedText;
  description?: LocalizedText;
  input: Schema;
  output?: Schema;
  script: string;
  timeoutMs?: number;
  runAs?: string;
  roles?: string[];
}

/** A JSON Schema, as the designer reads it: only the parts it edits are typed, the rest is kept. */
export type Schema = Record<string, unknown>;

/** The types an input parameter can have in the list editor. */
export const PARAM_TYPES = ['string', 'integer', 'number', 'boolean', 'object', 'array'] as const;

/** A parameter's type; '' is a schema the list does not edit ($ref, several types, ...), kept as it is. */
export type ParamType = (typeof PARAM_TYPES)[number] | '';

/** One input parameter: a property of the input schema. */
export interface Param {
  name: string;
  type: ParamType;
  required: boolean;
  description: string;
  /** minLength / minimum / minItems, by type. */
  min?: number;
  /** maxLength / maximum / maxItems, by type. */
  max?: number;
  /** Strings only. */
  pattern?: string;
  /** The parts of the property's schema the list does not edit (items, enum, $ref, format...), kept intact. */
  rest: Schema;
}

/** The schema keys of min and max for a type. */
export function boundKeys(type: ParamType): [string, string] | undefined {
  switch (type) {
    case 'string':
      return ['minLength', 'maxLength'];
    case 'integer':
    case 'number':
      return ['minimum', 'maximum'];
    case 'array':
      return ['minItems', 'maxItems'];
  }
  return undefined;
}

const isObj = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

function typeOf(prop: Schema): ParamType {
  const t = prop.type;
  if (typeof t !== 'string' || '$ref' in prop) return '';
  return (PARAM_TYPES as readonly string[]).includes(t) ? (t as ParamType) : '';
}

/** The input parameters of an input schema, in the order of its properties. */
export function paramsOf(schema: Schema | undefined): Param[] {
  const props = isObj(schema?.properties) ? schema.properties : {};
  const required = Array.isArray(schema?.required) ? (schema.required as unknown[]) : [];
  return Object.entries(props).map(([name, raw]) => {
    const prop = isObj(raw) ? raw : {};
    const type = typeOf(prop);
    const rest: Schema = { ...prop };
    const p: Param = { name, type, required: required.includes(name), description: '', rest };
    if (type !== '') delete rest.type;
    if (typeof prop.description === 'string') {
      p.description = prop.description;
      delete rest.description;
    }
    const keys = boundKeys(type);
    if (keys) {
      if (typeof prop[keys[0]] === 'number') {
        p.min = prop[keys[0]] as number;
        delete rest[keys[0]];
      }
      if (typeof prop[keys[1]] === 'number') {
        p.max = prop[keys[1]] as number;
        delete rest[keys[1]];
      }
    }
    if (type === 'string' && typeof prop.pattern === 'string') {
      p.pattern = prop.pattern;
      delete rest.pattern;
    }
    return p;
  });
}

/** The property schema of a parameter. */
export function propertyOf(p: Param): Schema {
  const out: Schema = p.type ? { type: p.type } : {};
  Object.assign(out, p.rest);
  if (p.description) out.description = p.description;
  const keys = boundKeys(p.type);
  if (keys && p.min !== undefined) out[keys[0]] = p.min;
  if (keys && p.max !== undefined) out[keys[1]] = p.max;
  if (p.type === 'string' && p.pattern) out.pattern = p.pattern;
  return out;
}

/**
 * The input schema with params as its properties and required list; the
 * rest of base (additionalProperties, definitions, ...) is kept.
 */
export function schemaWith(base: Schema | undefined, params: Param[]): Schema {
  const out: Schema = { ...(base ?? {}) };
  if (out.type === undefined) out.type = 'object';
  out.properties = Object.fromEntries(params.map((p) => [p.name, propertyOf(p)]));
  const required = params.filter((p) => p.required).map((p) => p.name);
  if (required.length > 0) out.required = required;
  else delete out.required;
  return out;
}

/** A parameter's type changed: bounds and pattern that no longer apply are dropped; a kept schema loses its $ref. */
export function retype(p: Param, type: ParamType): Param {
  const rest = { ...p.rest };
  if (p.type === '' && type !== '') {
    delete rest.$ref;
    delete rest.type;
  }
  if (type !== 'array') delete rest.items;
  if (type !== 'object') {
    delete rest.properties;
    delete rest.additionalProperties;
  }
  const same = boundKeys(type)?.join() === boundKeys(p.type)?.join();
  return { ...p, type, rest, min: same ? p.min : undefined, max: same ? p.max : undefined, pattern: type === 'string' ? p.pattern : undefined };
}

/** A parameter name the script can read as input.<name>. */
export const PARAM_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** What is wrong with the parameter list: names that are empty, invalid or taken twice. */
export function paramProblems(params: Param[]): { index: number; problem: 'empty' | 'invalid' | 'duplicate' | 'bounds' | 'pattern' }[] {
  const out: { index: number; problem: 'empty' | 'invalid' | 'duplicate' | 'bounds' | 'pattern' }[] = [];
  const seen = new Set<string>();
  params.forEach((p, index) => {
    if (!p.name) out.push({ index, problem: 'empty' });
    else if (!PARAM_NAME.test(p.name)) out.push({ index, problem: 'invalid' });
    else if (seen.has(p.name)) out.push({ index, problem: 'duplicate' });
    seen.add(p.name);
    if (p.min !== undefined && p.max !== undefined && p.min > p.max) out.push({ index, problem: 'bounds' });
    if (p.pattern) {
      try {
        new RegExp(p.pattern, 'u');
      } catch {
        out.push({ index, problem: 'pattern' });
      }
    }
  });
  return out;
}

/** A new parameter: the first free name "paramN", an optional string. */
export function newParam(params: Param[]): Param {
  let n = params.length + 1;
  while (params.some((p) => p.name === `param${n}`)) n++;
  return { name: `param${n}`, type: 'string', required: false, description: '', rest: {} };
}

/** Resolves a local $ref ("#/definitions/x") against the root schema, once. */
export function resolve(root: Schema, s: Schema): Schema {
  const ref = s.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return s;
  let cur: unknown = root;
  for (const part of ref.slice(2).split('/')) cur = isObj(cur) ? cur[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  return isObj(cur) ? { ...cur, ...Object.fromEntries(Object.entries(s).filter(([k]) => k !== '$ref')) } : s;
}

/**
 * A sample value of a schema, for the test form's JSON boxes: required
 * properties of objects (all when none is required), one item of arrays,
 * the type's empty value. Refs are followed a few levels deep.
 */
export function sample(root: Schema, s: Schema, depth = 0): unknown {
  const r = resolve(root, s);
  if (r.default !== undefined) return r.default;
  if (Array.isArray(r.enum) && r.enum.length > 0) return r.enum[0];
  const type = Array.isArray(r.type) ? r.type[0] : r.type;
  if (depth > 4) return type === 'array' ? [] : type === 'object' ? {} : null;
  switch (type) {
    case 'object': {
      const props = isObj(r.properties) ? r.properties : {};
      const req = Array.isArray(r.required) ? (r.required as string[]) : Object.keys(props);
      return Object.fromEntries(req.filter((k) => isObj(props[k])).map((k) => [k, sample(root, props[k] as Schema, depth + 1)]));
    }
    case 'array':
      return isObj(r.items) ? [sample(root, r.items, depth + 1)] : [];
    case 'integer':
    case 'number':
      return typeof r.minimum === 'number' ? r.minimum : 0;
    case 'boolean':
      return false;
    case 'string':
      return '';
  }
  return isObj(r.properties) ? sample(root, { ...r, type: 'object' }, depth) : null;
}

/** A problem placed in the script: "... (line 3, column 7)" as the script engine words it. */
export function linePosition(message: string): { line: number; column: number } | undefined {
  const m = /line (\d+), column (\d+)/.exec(message) ?? /第 (\d+) 行第 (\d+) 列/.exec(message);
  return m ? { line: Number(m[1]), column: Number(m[2]) } : undefined;
}

/** The smallest new action: an object input without parameters and a script that answers it back. */
export function newActionSpec(title: LocalizedText): ActionSpec {
  return {
    title,
    input: { type: 'object', additionalProperties: false, properties: {} },
    script: '// input: the parameters; records, ledger, rules, now(), ids.new(), log()\nreturn {ok: true};\n',
  };
}
