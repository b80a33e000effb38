import { LogoMark } from "../components/icons";
import { useAppFace } from "./use-app-face";

/**
 * The app's logo (`defineApp({ ui: { logo } })`), or the built-in mark without one. Decorative
 * (`alt=""`): the app's name is always written next to it or given as the control's label.
 */
export function AppLogo({ size }: { size: number }) {
  const { logo } = useAppFace();
  if (logo === undefined) return <LogoMark size={size} />;
  return <img className="app-logo" src={logo} alt="" width={size} height={size} data-testid="app-logo" />;
}
