import { ContainerModule } from 'inversify';
import { InputSourceToken } from '../../core/tokens.js';
import { SpikeSourceInput } from './spike-source.js';

export default new ContainerModule(({ bind }) => {
  bind(InputSourceToken).toConstantValue(SpikeSourceInput);
});
