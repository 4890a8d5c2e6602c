import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigurationError, DataError } from '@mlops-actions/core';
import {
  checkRules,
  type ConstraintViolation,
  DATASET_FEATURE_NAME,
  type DataRules,
  DatasetProfile,
  parseRules,
  profileOptionsForRules,
  type RawValue,
  UNIQUE_EXACT_LIMIT,
} from '@mlops-actions/data';

const RULES = `# data rules for the orders table
row_count: { min: 3, max: 1000 }
columns:
  age:
    type: Integral
    not_null: true
    min: 0
    max: 130
  country:
    required: false
    max_missing_fraction: 0.25
    allowed_values: [DE, FR, US]
    regex: '^[A-Z]{2}$'
  id:
    unique: true
  score:
    type: Numeric
  active:
    type: Boolean
  note:
    type: String
  legacy:
    required: false
`;

function profileFor(rules: DataRules, header: string[], rows: RawValue[][]): DatasetProfile {
  const profile = new DatasetProfile(header, profileOptionsForRules(rules));
  for (const row of rows) profile.addRow(row);
  return profile;
}

function byType(violations: ConstraintViolation[]): string[] {
  return violations.map((violation) => `${violation.feature_name}: ${violation.constraint_check_type}`);
}

const header = ['age', 'country', 'id', 'score', 'active', 'note'];

describe('parseRules', () => {
  it('reads every rule', () => {
    const rules = parseRules(RULES, 'rules.yaml');
    assert.deepEqual(rules.rowCount, { min: 3, max: 1000 });
    assert.deepEqual(rules.columns[0], {
      name: 'age',
      required: true,
      type: 'Integral',
      notNull: true,
      min: 0,
      max: 130,
    });
    assert.deepEqual(rules.columns[1], {
      name: 'country',
      required: false,
      maxMissingFraction: 0.25,
      allowedValues: ['DE', 'FR', 'US'],
      regex: '^[A-Z]{2}$',
    });
    assert.deepEqual(rules.columns[6], { name: 'legacy', required: false });
    assert.deepEqual(parseRules('', 'empty.yaml'), { file: 'empty.yaml', columns: [] });
  });

  it('reports YAML syntax errors as a DataError at their line and column', () => {
    assert.throws(
      () => parseRules('columns:\n  age:\n    min: [1\n', 'rules.yaml'),
      (error: unknown) => {
        assert.ok(error instanceof DataError);
        assert.equal(error.location.file, 'rules.yaml');
        assert.equal(typeof error.location.line, 'number');
        assert.match(error.message, /^rules\.yaml:\d+:\d+: invalid YAML: /);
        return true;
      },
    );
    assert.throws(() => parseRules('columns:\n  a: {}\n  a: {}\n', 'rules.yaml'), DataError);
  });

  it('names the file, position and rule of every bad rule in one ConfigurationError', () => {
    const text = [
      'row_count: { min: -1 }',
      'columns:',
      '  age:',
      '    maximum: 3',
      '    type: Decimal',
      '    min: ten',
      '  code:',
      "    regex: '(['",
      '    allowed_values: []',
      '  range:',
      '    min: 5',
      '    max: 1',
      '    max_missing_fraction: 2',
      'colums: {}',
    ].join('\n');
    assert.throws(
      () => parseRules(text, 'rules.yaml'),
      (error: unknown) => {
        assert.ok(error instanceof ConfigurationError);
        assert.deepEqual(error.problems, [
          'rules.yaml:1:19: row_count.min: expected a whole number of rows, got -1',
          'rules.yaml:4:5: columns.age.maximum: unknown rule; expected one of required, type, not_null, ' +
            'max_missing_fraction, min, max, allowed_values, regex, unique',
          'rules.yaml:5:11: columns.age.type: expected one of Integral, Fractional, Numeric, String, Boolean, got "Decimal"',
          'rules.yaml:6:10: columns.age.min: expected a number, got "ten"',
          'rules.yaml:8:12: columns.code.regex: invalid regular expression: Invalid regular expression: /([/: Unterminated character class',
          'rules.yaml:9:21: columns.code.allowed_values: expected a non-empty list of values',
          'rules.yaml:13:27: columns.range.max_missing_fraction: expected a fraction between 0 and 1, got 2',
          'rules.yaml:11:5: columns.range: min 5 is greater than max 1',
          'rules.yaml:14:1: colums: unknown key; expected one of row_count, columns, version',
        ]);
        return true;
      },
    );
  });
});

describe('checkRules', () => {
  const rules = parseRules(RULES, 'rules.yaml');

  it('passes data that keeps every rule', () => {
    const profile = profileFor(rules, header, [
      ['34', 'DE', '1', '1.5', 'true', 'first order'],
      ['41', 'US', '2', '2', 'false', 'repeat'],
      ['29', '', '3', '7.25', 'true', 'gift'],
      ['50', 'FR', '4', '0', 'false', 'n/a'],
    ]);
    assert.deepEqual(checkRules(profile, rules), []);
  });

  it('reports each broken rule with a precise description', () => {
    const profile = profileFor(rules, header, [
      ['34', 'DE', '1', '1.5', 'true', '12'],
      ['-3', 'de', '2', 'n/a', 'yes', '13'],
      ['', 'XX', '2', '3', 'false', '14'],
      ['140.5', '', '3', '4', 'true', '15'],
      ['7', '', '1', '5', 'false', '16'],
    ]);
    const violations = checkRules(profile, rules);
    assert.deepEqual(byType(violations), [
      'age: data_type_check',
      'age: completeness_check',
      'age: value_range_check',
      'age: value_range_check',
      'country: completeness_check',
      'country: categorical_values_check',
      'country: regex_check',
      'id: uniqueness_check',
      'score: data_type_check',
      'active: data_type_check',
      'note: data_type_check',
    ]);
    const descriptions = violations.map((violation) => violation.description);
    assert.deepEqual(descriptions, [
      'Column type requirement is not met. Expected data type: Integral. Observed: 1 of 4 present values (25.0%) are not Integral (inferred type Fractional).',
      'Not-null requirement is not met. Observed: 1 of 5 values (20.0%) are missing.',
      "Minimum value requirement is not met. Expected values ≥ 0.0. Observed: 1 of 4 present values (25.0%) are below, the lowest -3.0, e.g. '-3' (1).",
      "Maximum value requirement is not met. Expected values ≤ 130.0. Observed: 1 of 4 present values (25.0%) are above, the highest 140.5, e.g. '140.5' (1).",
      'Missing-value requirement is not met. Expected at most 25.0% missing. Observed: 40.0% (2 of 5 values) missing.',
      "Allowed values requirement is not met. Expected one of 'DE', 'FR', 'US'. Observed: 2 of 3 present values (66.66666666666667%) are not allowed, e.g. 'de' (1), 'XX' (1).",
      "Pattern requirement is not met. Expected every value to match /^[A-Z]{2}$/. Observed: 1 of 3 present values (33.333333333333336%) do not match, e.g. 'de' (1).",
      'Uniqueness requirement is not met. Observed: 2 of 5 present values repeat an earlier value, e.g. 1 (2 times), 2 (2 times).',
      'Column type requirement is not met. Expected data type: Numeric. Observed: 1 of 5 present values (20.0%) are not Numeric (inferred type String).',
      'Column type requirement is not met. Expected data type: Boolean. Observed: 1 of 5 present values (20.0%) are not Boolean (inferred type String).',
      'Column type requirement is not met. Expected data type: String. Observed: every present value is numeric (inferred type Integral).',
    ]);
  });

  it('checks row-count bounds and required columns', () => {
    const profile = profileFor(rules, ['age', 'id'], [['1', '1']]);
    const violations = checkRules(profile, rules);
    assert.deepEqual(violations.slice(0, 2), [
      {
        feature_name: DATASET_FEATURE_NAME,
        constraint_check_type: 'row_count_check',
        description: 'Row count requirement is not met. Expected between 3 and 1000 rows. Observed: 1 rows.',
      },
      {
        feature_name: 'score',
        constraint_check_type: 'missing_column_check',
        description: "Required column requirement is not met. Column 'score' is not present in the current dataset.",
      },
    ]);
    assert.ok(!byType(violations).includes('country: missing_column_check'), 'country is optional');
    assert.ok(!byType(violations).includes('legacy: missing_column_check'), 'legacy is optional');
  });

  it('says when a range rule meets a column without numbers', () => {
    const rangeRules = parseRules('columns:\n  x: { min: 0 }\n', 'r.yaml');
    const profile = profileFor(rangeRules, ['x'], [['a'], ['b']]);
    assert.deepEqual(checkRules(profile, rangeRules), [
      {
        feature_name: 'x',
        constraint_check_type: 'value_range_check',
        description: 'Value range requirement cannot be met. Observed: none of the 2 present values is numeric.',
      },
    ]);
  });

  it('compares allowed values canonically: 1 matches "1.0", true matches "TRUE"', () => {
    const canonical = parseRules(
      'columns:\n  n: { allowed_values: [1, 2] }\n  b: { allowed_values: [true] }\n',
      'r.yaml',
    );
    const profile = profileFor(
      canonical,
      ['n', 'b'],
      [
        ['1.0', 'TRUE'],
        ['2', 'true'],
        ['3', 'false'],
      ],
    );
    assert.deepEqual(
      checkRules(profile, canonical).map((violation) => violation.description),
      [
        "Allowed values requirement is not met. Expected one of 1, 2. Observed: 1 of 3 present values (33.333333333333336%) are not allowed, e.g. '3' (1).",
        "Allowed values requirement is not met. Expected one of 'true'. Observed: 1 of 3 present values (33.333333333333336%) are not allowed, e.g. 'false' (1).",
      ],
    );
  });

  it('merges rule tallies across parts', () => {
    const partRules = parseRules("columns:\n  id: { unique: true, regex: '^\\d+$' }\n", 'r.yaml');
    const first = profileFor(partRules, ['id'], [['1'], ['2'], ['x']]);
    const second = profileFor(partRules, ['id'], [['3'], ['2']]);
    const merged = DatasetProfile.fromState(structuredClone(first.toState())).merge(second);
    assert.deepEqual(
      checkRules(merged, partRules).map((violation) => violation.description),
      [
        "Pattern requirement is not met. Expected every value to match /^\\d+$/. Observed: 1 of 5 present values (20.0%) do not match, e.g. 'x' (1).",
        'Uniqueness requirement is not met. Observed: 1 of 5 present values repeat an earlier value, e.g. 2 (2 times).',
      ],
    );
  });

  it('refuses a profile built without the tallies its rules need', () => {
    const profile = new DatasetProfile(header);
    profile.addRow(['1', 'DE', '1', '1', 'true', 'x']);
    assert.throws(() => checkRules(profile, rules), /profileOptionsForRules/);
  });

  it('checks uniqueness past the exact limit approximately', () => {
    const uniqueRules = parseRules('columns:\n  id: { unique: true }\n', 'r.yaml');
    const distinct = UNIQUE_EXACT_LIMIT + 50_000;
    const feed = (repeats: number): DatasetProfile => {
      const profile = new DatasetProfile(['id'], profileOptionsForRules(uniqueRules));
      for (let i = 0; i < distinct; i++) {
        profile.addValue(0, i);
        profile.endRow();
      }
      // Repeats of values past the first million are not remembered exactly.
      for (let i = 0; i < repeats; i++) {
        profile.addValue(0, UNIQUE_EXACT_LIMIT + (i % 50_000));
        profile.endRow();
      }
      return profile;
    };
    assert.deepEqual(checkRules(feed(0), uniqueRules), []);
    const [violation] = checkRules(feed(100_000), uniqueRules);
    assert.match(
      violation!.description,
      /^Uniqueness requirement is not met \(approximately: .*\)\. Observed: about \d+ distinct values among 1150000 present values\.$/,
    );
  });
});
