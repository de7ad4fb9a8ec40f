import { ContainerModule } from 'inversify';
import { InputSourceToken } from '../../core/tokens.js';
import { PoissonInput } from './poisson.js';

export default new ContainerModule(({ bind }) => {
  bind(InputSourceToken).toConstantValue(PoissonInput);
});
