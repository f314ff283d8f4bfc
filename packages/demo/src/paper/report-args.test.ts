import { describe, expect, it } from 'vitest';
import { jsonPathFor, splitReportArgs } from './report-args';

describe('cli helpers', () => {
  it('puts the JSON beside the Markdown report', () => {
    expect(jsonPathFor('docs/results.md')).toBe('docs/results.json');
    expect(jsonPathFor('/tmp/out')).toBe('/tmp/out.json');
  });

  it('separates the report-only options from the experiment options', () => {
    expect(
      splitReportArgs(['--seeds', '3', '--note', 'loaded machine', '--discussion=d.md', '--note=x']),
    ).toEqual({
      rest: ['--seeds', '3'],
      discussion: 'd.md',
      notes: ['loaded machine', 'x'],
      merge: [],
    });
    expect(splitReportArgs(['--merge', 'a.json,b.json', '--merge=c.json', '--out', 'r.md'])).toEqual({
      rest: ['--out', 'r.md'],
      notes: [],
      merge: ['a.json', 'b.json', 'c.json'],
    });
    expect(splitReportArgs([])).toEqual({ rest: [], notes: [], merge: [] });
    expect(() => splitReportArgs(['--note'])).toThrow(/--note needs a value/);
  });
});
