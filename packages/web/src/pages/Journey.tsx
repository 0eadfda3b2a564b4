export default function Journey() {
  return <p>Journey</p>;
}
