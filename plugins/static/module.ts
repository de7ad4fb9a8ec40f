import { ContainerModule } from 'inversify';
import { PlasticityRuleToken, TranslationToken } from '../../core/tokens.js';
import { StaticBrian2, StaticPynn } from './export.js';
import { StaticRule } from './static.js';

export default new ContainerModule(({ bind }) => {
  bind(PlasticityRuleToken).toConstantValue(StaticRule);
  bind(TranslationToken).toConstantValue(StaticBrian2);
  bind(TranslationToken).toConstantValue(StaticPynn);
});
