import { ContainerModule } from 'inversify';
import { NeuronModelToken } from '../../core/tokens.js';
import { LifModel } from './lif.js';

export default new ContainerModule(({ bind }) => {
  bind(NeuronModelToken).toConstantValue(LifModel);
});
