// One stack of this program deployed by the real engine to a test cluster, driven the way a user
// drives it: the stack file edited, then `pulumi up`. Each update is seen three ways: the engine's
// preview, the review tool's verdict on the same two configs, and the steps the update took.
import type { PulumiConfig } from "../../../config";
import { PROJECT_ROOT } from "../../../render/renderStack";
import { Side, compare } from "../../../review/compare";
import { configSide } from "../../../review/configEdit";
import type { Review } from "../../../review/review";
import { TestCluster } from "../cluster";
import { tools } from "../tools";
import { Changes, Disagreement, disagreements, engineChanges, reviewChanges } from "./changes";
import { stackFileOf } from "./stackFile";
import { ChangeWatch, EngineRun, EngineWorkspace, WorkspaceOptions } from "./workspace";

/** What one update did, as each party saw it. */
export interface UpdateOutcome {
  readonly run: EngineRun;
  /** The review of the update; none for the first up, which creates everything. */
  readonly review?: Review;
  readonly preview: Changes;
  readonly reviewed: Changes;
  readonly applied: Changes;
  readonly disagreements: readonly Disagreement[];
}

/** A stack config: `namespace:key` → text, and which keys hold secrets. */
interface StackConfig {
  readonly config: PulumiConfig;
  readonly secretKeys: readonly string[];
}

export class EngineStack {
  readonly workspace: EngineWorkspace;
  /** What was last deployed, rendered offline as the review sees it. */
  private deployed?: Side;
  /** The stack file as last written. */
  private edited?: StackConfig;
  /** The checkout whose program the stack runs. */
  private projectRoot: string;

  constructor(
    readonly name: string,
    private readonly cluster: TestCluster,
    options: Omit<WorkspaceOptions, "kubeconfigPath"> = {},
  ) {
    this.workspace = new EngineWorkspace({ kubeconfigPath: cluster.kubeconfigPath, ...options });
    this.projectRoot = options.projectRoot ?? PROJECT_ROOT;
  }

  /** From the next up on, the stack runs the program of the checkout at `root` (an upgrade). */
  useProgram(root: string): void {
    this.workspace.linkProject(root);
    this.projectRoot = root;
  }

  /** A new stack of `name` with `stack`'s config, deployed by `pulumi up` on `cluster`. */
  static async deploy(
    name: string,
    cluster: TestCluster,
    stack: StackConfig,
    options: Omit<WorkspaceOptions, "kubeconfigPath"> = {},
  ): Promise<EngineStack> {
    const engine = new EngineStack(name, cluster, options);
    await engine.init(stack);
    await engine.up();
    return engine;
  }

  /** `pulumi stack init` with the stack file of `stack`. */
  async init(stack: StackConfig): Promise<void> {
    await this.workspace.initStack(this.name, stackFileOf(stack.config, stack.secretKeys));
    this.edited = stack;
  }

  /** Rewrites the stack file with `stack`'s config, as a user's edit of `Pulumi.<stack>.yaml` does. */
  async edit(stack: StackConfig): Promise<void> {
    await this.workspace.writeStackFile(this.name, stackFileOf(stack.config, stack.secretKeys));
    this.edited = stack;
  }

  /**
   * `pulumi up` of the stack file as last written, reviewed against what was last deployed. Throws
   * with the engine's errors when the update fails.
   */
  async up(...args: string[]): Promise<UpdateOutcome> {
    const outcome = await this.attemptUp(...args);
    if (outcome.run.status !== 0) {
      const pods = await this.cluster
        .unreadyPods()
        .catch((error: unknown) => `pods unread: ${String(error)}`);
      throw new Error(
        `${outcome.run.command} failed after ${outcome.run.seconds} s:\n${engineErrors(outcome.run)}\nThe pods not Ready:\n${pods}`,
      );
    }
    return outcome;
  }

  /** `pulumi up`, whatever its exit status; what it did, and the review of the same edit. */
  attemptUp(...args: string[]): Promise<UpdateOutcome> {
    return this.update(args);
  }

  /** `pulumi up` with `watch` done part-way; what it did, and the review of the edit. */
  watchedUp(watch: ChangeWatch, ...args: string[]): Promise<UpdateOutcome> {
    return this.update(args, watch);
  }

  private async update(args: readonly string[], watch?: ChangeWatch): Promise<UpdateOutcome> {
    if (this.edited === undefined) {
      throw new Error(`stack ${this.name}: write its stack file before the first up`);
    }
    const after = await configSide(this.name, this.edited, this.deployed, this.projectRoot);
    const review =
      this.deployed === undefined
        ? undefined
        : await compare(this.name, this.deployed, after, tools.promtool());
    const run =
      watch === undefined
        ? await this.workspace.up(this.name, ...args)
        : await this.workspace.watchedUp(this.name, watch, ...args);
    // A failed up that got as far as changing something is the program's config deployed in part:
    // the next update's review starts from it, as the engine's state does.
    if (run.status === 0 || run.applied.length > 0) {
      this.deployed = after;
    }
    const preview = engineChanges(run.planned);
    const applied = engineChanges(run.applied);
    const reviewed = review === undefined ? preview : reviewChanges(review);
    return {
      run,
      ...(review === undefined ? {} : { review }),
      preview,
      reviewed,
      applied,
      disagreements: disagreements(preview, reviewed, applied),
    };
  }

  preview(...args: string[]): Promise<EngineRun> {
    return this.workspace.preview(this.name, ...args);
  }

  destroy(...args: string[]): Promise<EngineRun> {
    return this.workspace.destroy(this.name, ...args);
  }

  remove(): void {
    this.workspace.remove();
  }
}

/** The errors an engine run reported: its error diagnostics and failed steps, else what it printed on stderr. */
export function engineErrors(run: EngineRun): string {
  const reported = [...run.errors, ...run.failures];
  return (reported.length > 0 || run.status === 0 ? reported : [run.stderr.trim()]).join("\n");
}
