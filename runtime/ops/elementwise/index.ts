// The elementwise op family: every spec this folder defines, for ../registry.
import type { OpSpec } from '../spec';
import { activationOps } from './activation';
import { binaryOps } from './binary';
import { castOps } from './cast';
import { clipOp } from './clip';
import { compareOps } from './compare';
import { unaryOps } from './unary';
import { variadicOps } from './variadic';
import { whereOp } from './where';

export const elementwiseOps: OpSpec[] = [
  ...unaryOps, ...activationOps, clipOp as OpSpec, ...binaryOps, ...compareOps, ...variadicOps, whereOp, ...castOps,
];
