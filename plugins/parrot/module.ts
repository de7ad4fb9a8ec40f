import { ContainerModule } from 'inversify';
import { NeuronModelToken } from '../../core/tokens.js';
import { ParrotModel } from './parrot.js';

export default new ContainerModule(({ bind }) => {
  bind(NeuronModelToken).toConstantValue(ParrotModel);
});
