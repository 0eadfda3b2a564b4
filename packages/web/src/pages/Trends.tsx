export default function Trends() {
  return <p>Trends</p>;
}
