import { ContainerModule } from 'inversify';
import { PlasticityRuleToken, TranslationToken } from '../../core/tokens.js';
import { StdpBrian2, StdpPynn } from './export.js';
import { StdpRule } from './stdp.js';

export default new ContainerModule(({ bind }) => {
  bind(PlasticityRuleToken).toConstantValue(StdpRule);
  bind(TranslationToken).toConstantValue(StdpBrian2);
  bind(TranslationToken).toConstantValue(StdpPynn);
});
