// The Optional ops: an optional is a graph value that is either present (a tensor or sequence)
// or empty (null at run time).

import { tensor } from '../../tensor';
import { defineOp, OpError } from '../spec';
import { tensorType } from './util';

const optional = defineOp({
  op: 'Optional',
  attrs: () => ({}),
  runValues: ([x]) => [x ?? null],
});

const optionalHasElement = defineOp({
  op: 'OptionalHasElement',
  attrs: () => ({}),
  infer: () => [tensorType('bool', [])],
  runValues: ([x]) => [tensor('bool', [], new Uint8Array([x === undefined || x === null ? 0 : 1]))],
});

const optionalGetElement = defineOp({
  op: 'OptionalGetElement',
  attrs: () => ({}),
  runValues: ([x]) => {
    if (x === undefined || x === null) throw new OpError('OptionalGetElement', 'the optional input is empty');
    return [x];
  },
});

export const optionalOps = [optional, optionalHasElement, optionalGetElement];
