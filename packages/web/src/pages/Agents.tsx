export default function Agents() {
  return <p>Agents</p>;
}
