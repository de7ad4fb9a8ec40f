import { ContainerModule } from 'inversify';
import { InputSourceToken } from '../../core/tokens.js';
import { CurrentInput } from './current.js';

export default new ContainerModule(({ bind }) => {
  bind(InputSourceToken).toConstantValue(CurrentInput);
});
