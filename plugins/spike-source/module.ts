import { ContainerModule } from 'inversify';
import { InputSourceToken, TranslationToken } from '../../core/tokens.js';
import { SpikeSourceBrian2, SpikeSourcePynn } from './export.js';
import { SpikeSourceInput } from './spike-source.js';

export default new ContainerModule(({ bind }) => {
  bind(InputSourceToken).toConstantValue(SpikeSourceInput);
  bind(TranslationToken).toConstantValue(SpikeSourceBrian2);
  bind(TranslationToken).toConstantValue(SpikeSourcePynn);
});
