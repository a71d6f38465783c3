import { opAllowed, type QueryOp } from '../stored';
import { DATE_PRESETS, type BuilderOp, type FilterField } from './model';

/** What value an operator takes: none, one, a list or a pair (from, to). */
export type Arity = 'none' | 'one' | 'list' | 'pair';

export function arityOf(op: BuilderOp): Arity {
  switch (op) {
    case 'empty':
    case 'notEmpty':
    case 'isTrue':
    case 'isFalse':
      return 'none';
    case 'in':
    case 'nin':
      return 'list';
    case 'between':
      return 'pair';
  }
  return (DATE_PRESETS as string[]).includes(op) ? 'none' : 'one';
}

/** The server operators a builder operator is written with. */
function needs(op: BuilderOp): QueryOp[] {
  switch (op) {
    case 'between':
      return ['gte', 'lte'];
    case 'notContains':
      return ['contains'];
    case 'empty':
    case 'notEmpty':
      return ['exists'];
    case 'isTrue':
      return ['eq'];
    case 'isFalse':
      return ['ne'];
    case 'eq':
    case 'ne':
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
    case 'in':
    case 'nin':
    case 'contains':
    case 'startsWith':
      return [op];
  }
  return ['gte', 'lte'];
}

/** The builder's operators for each kind of value, in menu order. */
function candidates(f: FilterField): BuilderOp[] {
  if (f.valueType === 'bool') return ['isTrue', 'isFalse', 'empty', 'notEmpty'];
  if (f.valueType === 'option' || f.valueType === 'id') {
    return f.array ? ['contains', 'notContains', 'in', 'empty', 'notEmpty'] : ['eq', 'ne', 'in', 'nin', 'empty', 'notEmpty'];
  }
  switch (f.kind) {
    case 'date':
    case 'time':
      return [...DATE_PRESETS, 'eq', 'lt', 'gt', 'between', 'empty', 'notEmpty'];
    case 'int':
    case 'decimal':
      return ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'between', 'empty', 'notEmpty'];
  }
  if (f.array) return ['contains', 'notContains', 'empty', 'notEmpty'];
  return ['contains', 'notContains', 'eq', 'ne', 'startsWith', 'empty', 'notEmpty'];
}

/** The operators the builder offers for a field: those the server allows on it. */
export function operatorsFor(f: FilterField): BuilderOp[] {
  return candidates(f).filter((op) => needs(op).every((q) => opAllowed(f, q)));
}
