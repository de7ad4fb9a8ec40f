import { ContainerModule } from 'inversify';
import { NeuronModelToken } from '../../core/tokens.js';
import { LeakyRateModel } from './leaky-rate.js';

export default new ContainerModule(({ bind }) => {
  bind(NeuronModelToken).toConstantValue(LeakyRateModel);
});
