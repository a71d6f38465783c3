/** How the server stores a value and compares it in filters (engine/query Kind). */
export type Kind = 'string' | 'int' | 'decimal' | 'bool' | 'date' | 'time';

/** The server's filter operators, without the "$". */
export type QueryOp = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'nin' | 'exists' | 'contains' | 'startsWith';

/** A filterable sub-path of a field (address.province, checkIn.lat). */
export interface SubPath {
  path: string;
  kind: Kind;
}

/**
 * The stored shape of a field, mirroring the server's form.Stored: its
 * kind, whether it holds a list, the operators filters may use on it (all
 * of the kind's when absent) and its filterable sub-paths.
 */
export interface StoredShape {
  kind: Kind;
  array?: boolean;
  ops?: QueryOp[];
  sub?: SubPath[];
  /** Not stored (a lookup, resolved on read): neither filterable nor sortable. */
  virtual?: boolean;
}

/** Operators of the server's opsChoice, opsList and opsExists sets. */
export const OPS_CHOICE: QueryOp[] = ['eq', 'ne', 'in', 'nin', 'exists'];
export const OPS_LIST: QueryOp[] = ['eq', 'ne', 'in', 'nin', 'exists', 'contains'];
export const OPS_EXISTS: QueryOp[] = ['exists'];

/** Whether the server allows op on a field of this shape (query.parse's rules and the type's list). */
export function opAllowed(shape: Pick<StoredShape, 'kind' | 'array' | 'ops'>, op: QueryOp): boolean {
  if (shape.ops && !shape.ops.includes(op)) return false;
  switch (op) {
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return shape.kind !== 'bool';
    case 'contains':
      return shape.kind === 'string' || shape.array === true;
    case 'startsWith':
      return shape.kind === 'string' && !shape.array;
    default:
      return true;
  }
}

/** The system fields every record has, as filters and sorts may name them. */
export const SYSTEM_FIELDS: Record<string, Kind> = {
  _id: 'string',
  _version: 'int',
  _createdAt: 'time',
  _updatedAt: 'time',
  _createdBy: 'string',
  _updatedBy: 'string',
  _state: 'string',
  _deleted: 'bool',
};
