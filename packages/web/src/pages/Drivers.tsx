export default function Drivers() {
  return <p>Drivers</p>;
}
