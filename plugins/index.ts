import type { ContainerModule } from 'inversify';
import backprop from './backprop/module.js';
import current from './current/module.js';
import decorrelation from './decorrelation/module.js';
import deltaReadout from './delta-readout/module.js';
import ibHebbian from './ib-hebbian/module.js';
import idealWindow from './ideal-window/module.js';
import leakyRate from './leaky-rate/module.js';
import lif from './lif/module.js';
import linear from './linear/module.js';
import pairReward from './pair-reward/module.js';
import parrot from './parrot/module.js';
import poisson from './poisson/module.js';
import rateCode from './rate-code/module.js';
import recorders from './recorders/module.js';
import reservoir from './reservoir/module.js';
import rewardStdp from './reward-stdp/module.js';
import spikeSource from './spike-source/module.js';
import staticRule from './static/module.js';
import stdp from './stdp/module.js';
import triplet from './triplet-stdp/module.js';
import twoSample from './two-sample/module.js';
import idx from './idx/module.js';
import xor from './xor/module.js';

/** The plugins that ship with engram, one ContainerModule per plugin folder. */
export const builtinModules: readonly ContainerModule[] = [
  lif,
  leakyRate,
  parrot,
  poisson,
  spikeSource,
  current,
  pairReward,
  rateCode,
  recorders,
  staticRule,
  stdp,
  triplet,
  rewardStdp,
  linear,
  xor,
  idx,
  idealWindow,
  twoSample,
  reservoir,
  backprop,
  ibHebbian,
  deltaReadout,
  decorrelation,
];
