import { PageHeader } from '../ui/bits';
import { Empty } from '../ui/states';

/** Filled in once the model registry and rollouts API exist on the control plane. */
export function ModelsPage() {
  return (
    <>
      <PageHeader title="Models & rollouts" />
      <Empty>The model registry is not available on this control plane yet.</Empty>
    </>
  );
}
