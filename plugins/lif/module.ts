import { ContainerModule } from 'inversify';
import { NeuronModelToken, TranslationToken } from '../../core/tokens.js';
import { LifBrian2, LifPynn } from './export.js';
import { LifModel } from './lif.js';

export default new ContainerModule(({ bind }) => {
  bind(NeuronModelToken).toConstantValue(LifModel);
  bind(TranslationToken).toConstantValue(LifBrian2);
  bind(TranslationToken).toConstantValue(LifPynn);
});
