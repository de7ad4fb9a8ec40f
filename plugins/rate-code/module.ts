import { ContainerModule } from 'inversify';
import { InputSourceToken } from '../../core/tokens.js';
import { RateCodeInput } from './rate-code.js';

export default new ContainerModule(({ bind }) => {
  bind(InputSourceToken).toConstantValue(RateCodeInput);
});
