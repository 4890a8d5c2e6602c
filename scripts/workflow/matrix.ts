// strategy.matrix expanded as GitHub expands it: the cartesian product of the list-valued keys in their written
// order, `exclude` entries removing every combination they match, then each `include` entry added to the
// combinations it does not contradict (or as a combination of its own when it fits none).
export type MatrixValue = unknown;
export type Combination = Record<string, MatrixValue>;

export class MatrixError extends Error {}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function expandMatrix(matrix: unknown): Combination[] {
  if (matrix === null || matrix === undefined) return [{}];
  if (typeof matrix !== 'object' || Array.isArray(matrix)) {
    throw new MatrixError(`strategy.matrix must be a mapping, got ${JSON.stringify(matrix)}`);
  }
  const { include, exclude, ...axes } = matrix as Record<string, unknown>;
  let combinations: Combination[] = Object.keys(axes).length > 0 ? [{}] : [];
  for (const [name, values] of Object.entries(axes)) {
    if (!Array.isArray(values) || values.length === 0) {
      throw new MatrixError(`strategy.matrix.${name} must be a non-empty list, got ${JSON.stringify(values)}`);
    }
    combinations = combinations.flatMap((combination) => values.map((value) => ({ ...combination, [name]: value })));
  }
  for (const pattern of listOfMappings(exclude, 'exclude')) {
    combinations = combinations.filter((c) => !Object.entries(pattern).every(([key, value]) => same(c[key], value)));
  }
  const original = combinations.map((combination) => ({ ...combination }));
  for (const entry of listOfMappings(include, 'include')) {
    let matched = false;
    // Only the product's combinations take includes, not ones an earlier include created.
    for (const [index, axisValues] of original.entries()) {
      // An include may add keys, or overwrite keys that it added itself, but never change an original axis value.
      if (Object.entries(entry).every(([key, value]) => !(key in axisValues) || same(axisValues[key], value))) {
        Object.assign(combinations[index]!, entry);
        matched = true;
      }
    }
    if (!matched) combinations.push({ ...entry });
  }
  if (combinations.length === 0) throw new MatrixError('strategy.matrix expands to no combination');
  if (combinations.length > 256)
    throw new MatrixError(`strategy.matrix expands to ${combinations.length} jobs; GitHub allows 256`);
  return combinations;
}

function listOfMappings(value: unknown, key: string): Combination[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'object' || item === null || Array.isArray(item))) {
    throw new MatrixError(`strategy.matrix.${key} must be a list of mappings, got ${JSON.stringify(value)}`);
  }
  return value as Combination[];
}

/** `job (a, b)`: how GitHub names a matrix job in the log. */
export function combinationLabel(combination: Combination): string {
  const values = Object.values(combination).map((value) =>
    typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value),
  );
  return values.length > 0 ? `(${values.join(', ')})` : '';
}
