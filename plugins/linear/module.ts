import { ContainerModule } from 'inversify';
import { DatasetToken } from '../../core/tokens.js';
import { LinearDataset } from './linear.js';

export default new ContainerModule(({ bind }) => {
  bind(DatasetToken).toConstantValue(LinearDataset);
});
