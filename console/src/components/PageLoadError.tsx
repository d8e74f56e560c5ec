import { Component, type ReactNode } from 'react';

interface Props {
  /** The page's path: the error is forgotten when the user goes elsewhere. */
  path: string;
  children: ReactNode;
}

/**
 * What a page shows when its code cannot be loaded even after main.tsx's one reload (the
 * server is gone, or serves a build without it): a plain sentence and a way to try again,
 * instead of a blank console.
 */
export class PageLoadError extends Component<Props, { failed: boolean }> {
  state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  componentDidUpdate(previous: Props): void {
    if (this.state.failed && previous.path !== this.props.path) this.setState({ failed: false });
  }

  render() {
    if (!this.state.failed) return this.props.children;
    return (
      <div role="alert">
        <h1>This page could not be loaded</h1>
        <p>Keygate may have been upgraded or be unreachable. Reload to try again.</p>
        <button type="button" onClick={() => window.location.reload()}>
          Reload
        </button>
      </div>
    );
  }
}
