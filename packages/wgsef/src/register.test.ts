/**
 * Registration without import side effects: the main entry registers nothing until a regularizer is built;
 * '@klevel/wgsef/register' registers every class up front, so a saved config deserializes first thing.
 * Own file (process): the tfjs serialization registry is global.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { wgsef } from './index';

const names = () => Object.keys(tf.serialization.SerializationMap.getMap().classNameMap);

it('importing the main entry registers nothing; building a regularizer registers its class', () => {
  expect(names().filter((n) => n.startsWith('Klevel'))).toEqual([]);
  wgsef({ groups: 'filters', keep: { count: 1 }, lambda: 0.1 });
  expect(names()).toContain('KlevelWgsefRegularizer');
  expect(names()).not.toContain('KlevelGroupLassoRegularizer');
});

it("'@klevel/wgsef/register' registers every regularizer class", async () => {
  await import('./register');
  expect(names()).toEqual(
    expect.arrayContaining([
      'KlevelWgsefRegularizer',
      'KlevelGroupLassoRegularizer',
      'KlevelWgsefKernelRegularizer',
    ]),
  );
});
