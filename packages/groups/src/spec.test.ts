import { describeBackends } from '@klevel/test-utils';
import { expect, it } from 'vitest';
import { lenet5, resnetBlocks } from './__fixtures__/models';
import { partitionGroups } from './partition';
import type { GroupSpec } from './spec';

describeBackends('partitionGroups: bad specs get clear errors', () => {
  let model: ReturnType<typeof lenet5> | undefined;
  const bad = (spec: unknown) => () => {
    model ??= lenet5();
    return partitionGroups(model, spec as GroupSpec);
  };

  it('unknown layer names, listing the real ones', () => {
    expect(bad({ rules: [{ layers: ['c1', 'conv9'], type: 'filters' }] })).toThrow(
      /spec\.rules\[0\]\.layers: unknown layer name\(s\) 'conv9'; the model's layers are 'c1', 'p1', 'c2'/,
    );
    expect(bad({ rules: [{ layers: ['c1'], type: 'filters' }], exclude: ['nope'] })).toThrow(
      /spec\.exclude: unknown layer name\(s\) 'nope'/,
    );
  });

  it('a group type the layer does not have', () => {
    expect(bad({ rules: [{ layers: ['flat'], type: 'filters' }] })).toThrow(
      /layer 'flat' \(Flatten\) has no 'filters' groups; it has none \(no weights\)/,
    );
    expect(bad({ rules: [{ layers: ['d1'], type: 'filter-shapes' }] })).toThrow(
      /layer 'd1' \(Dense\) has no 'filter-shapes' groups; it has 'filters', 'neurons', 'channels', 'layer', 'weights', 'custom'/,
    );
    expect(bad({ rules: [{ layers: { className: 'Conv2D' }, type: 'neurons' }] })).toThrow(
      /'c1' \(Conv2D\) has no 'neurons'/,
    );
  });

  it('a layer matched by two rules', () => {
    expect(
      bad({
        rules: [
          { layers: ['c2'], type: 'filters' },
          { layers: { className: 'Conv2D' }, type: 'channels' },
        ],
      }),
    ).toThrow(/layer 'c2' is matched by spec\.rules\[0\] and spec\.rules\[1\]/);
  });

  it('two { all: true } rules that both fit a layer', () => {
    expect(
      bad({
        rules: [
          { layers: { all: true }, type: 'filters' },
          { layers: { all: true }, type: 'channels' },
        ],
      }),
    ).toThrow(/layer 'c1' is matched by spec\.rules\[0\] and spec\.rules\[1\]/);
  });

  it('two groups regularizing the same parameters (coupled layers grouped twice)', () => {
    const resnet = resnetBlocks();
    expect(() =>
      partitionGroups(resnet, {
        rules: [
          { layers: ['stem'], type: 'filters' },
          { layers: ['b1'], type: 'weights' },
        ],
      }),
    ).toThrow(
      /groups 'stem\/filters\/0' and 'b1\/weights\/\d+' both regularize parameters of 'b1\/(kernel|bias)[^']*'/,
    );
    expect(() =>
      partitionGroups(resnet, {
        rules: [
          { layers: ['stem'], type: 'filters' },
          { layers: ['b1'], type: 'filter-shapes' },
        ],
      }),
    ).toThrow(/both regularize parameters of/);
  });

  it('malformed specs and types', () => {
    expect(bad('filterz')).toThrow(TypeError);
    expect(bad('filterz')).toThrow(/unknown group type "filterz"; expected one of 'filters', 'channels'/);
    expect(bad({ rules: [] })).toThrow(RangeError);
    expect(bad(undefined)).toThrow(/spec is required/);
    expect(bad({ layers: ['c1'], type: 'filters' })).toThrow(/spec must be a group type or \{ rules/);
    expect(bad({ rules: [{ layers: ['c1'] }] })).toThrow(/spec\.rules\[0\]: expected \{ layers, type \}/);
    expect(bad({ rules: [{ layers: { name: 'c1' }, type: 'filters' }] })).toThrow(
      /expected a layer name, an array of names/,
    );
    expect(bad({ rules: [{ layers: { className: 'LSTM' }, type: 'filters' }] })).toThrow(
      /no layer has class 'LSTM'; the model's classes are 'Conv2D', 'MaxPooling2D', 'Flatten', 'Dense'/,
    );
    expect(bad({ rules: [{ layers: () => false, type: 'filters' }] })).toThrow(
      /the predicate matched no layer/,
    );
    expect(bad({ rules: [{ layers: ['c1'], type: 'filters' }], exclude: ['c1'] })).toThrow(
      /layer 'c1' is also excluded/,
    );
  });

  it('custom functions that name missing weights or bad indices', () => {
    const custom = (slices: unknown) => ({
      rules: [{ layers: ['c1'], type: { custom: () => [{ slices }] } }],
    });
    expect(bad(custom([{ weightName: 'gama', axis: 0, indices: [0] }]))).toThrow(
      /names weight 'gama'; the layer has 'kernel', 'bias'/,
    );
    expect(bad(custom([{ weightName: 'bias', axis: 1, indices: [0] }]))).toThrow(
      /axis 1 is out of range for shape \[6\]/,
    );
    expect(bad(custom([{ weightName: 'bias', axis: 0, indices: [6] }]))).toThrow(
      /indices must be non-empty integers in \[0, 6\)/,
    );
    expect(bad(custom([]))).toThrow(/at least one slice/);
  });
});
