import { ContainerModule } from 'inversify';
import { InputSourceToken, TranslationToken } from '../../core/tokens.js';
import { PoissonBrian2, PoissonPynn } from './export.js';
import { PoissonInput } from './poisson.js';

export default new ContainerModule(({ bind }) => {
  bind(InputSourceToken).toConstantValue(PoissonInput);
  bind(TranslationToken).toConstantValue(PoissonBrian2);
  bind(TranslationToken).toConstantValue(PoissonPynn);
});
