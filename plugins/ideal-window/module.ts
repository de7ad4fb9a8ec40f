import { ContainerModule } from 'inversify';
import { MemoryCircuitToken } from '../../core/tokens.js';
import { IdealWindowMemory } from './ideal-window.js';

export default new ContainerModule(({ bind }) => {
  bind(MemoryCircuitToken).toConstantValue(IdealWindowMemory);
});
