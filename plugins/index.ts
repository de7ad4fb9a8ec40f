import type { ContainerModule } from 'inversify';
import current from './current/module.js';
import lif from './lif/module.js';
import poisson from './poisson/module.js';
import recorders from './recorders/module.js';
import spikeSource from './spike-source/module.js';

/** The plugins that ship with engram, one ContainerModule per plugin folder. */
export const builtinModules: readonly ContainerModule[] = [lif, poisson, spikeSource, current, recorders];
