export default function Loyalty() {
  return <p>Loyalty</p>;
}
